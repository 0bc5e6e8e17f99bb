/*
 * tlsdesc: the resolver of the TLS descriptors libsoload fills
 * (R_X86_64_TLSDESC, code built with -mtls-dialect=gnu2). Code calls it
 * with %rax holding the descriptor's address and expects in %rax the
 * variable's address minus the thread pointer, with every other register
 * as it was but the flags (x86-64 psABI).
 *
 * Once this thread has the module's block, a few instructions find it in
 * the thread's table (tls.c: tls_self, whose layout tls.c checks), with
 * two scratch registers pushed. Otherwise the integer registers a C call may
 * change are pushed, and the vector, mask and x87 state is kept with XSAVE
 * (components and size read once by tls.c from CPUID leaf 0xD) around the
 * call into tls_desc_resolve, which allocates the block.
 */
	.text
	.globl	tlsdesc_resolver
	.hidden	tlsdesc_resolver
	.type	tlsdesc_resolver, @function
	.p2align 4
tlsdesc_resolver:
	.cfi_startproc
	movq	8(%rax), %rax			/* the argument: module id, offset */
	pushq	%rcx
	.cfi_adjust_cfa_offset 8
	pushq	%rdx
	.cfi_adjust_cfa_offset 8
	movq	tls_self@gottpoff(%rip), %rcx
	movq	%fs:(%rcx), %rcx		/* this thread's table, or none yet */
	testq	%rcx, %rcx
	jz	1f
	movq	(%rax), %rdx
	testq	%rdx, %rdx			/* an undefined weak variable */
	jz	1f
	movzwl	%dx, %edx			/* the module's slot */
	cmpq	8(%rcx), %rdx
	jae	1f
	shlq	$4, %rdx
	addq	(%rcx), %rdx
	movq	(%rax), %rcx
	cmpq	(%rdx), %rcx			/* the block is this module's */
	jne	1f
	movq	8(%rdx), %rcx			/* block + offset - thread pointer */
	addq	8(%rax), %rcx
	movq	%rcx, %rax
	subq	%fs:0, %rax
	.cfi_remember_state
	popq	%rdx
	.cfi_adjust_cfa_offset -8
	popq	%rcx
	.cfi_adjust_cfa_offset -8
	ret
1:
	.cfi_restore_state
	popq	%rdx
	.cfi_adjust_cfa_offset -8
	popq	%rcx
	.cfi_adjust_cfa_offset -8
	pushq	%rbp
	.cfi_def_cfa_offset 16
	.cfi_offset %rbp, -16
	movq	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	movq	%rax, %rdi			/* the descriptor's argument */
	subq	tlsdesc_xsave_size(%rip), %rsp
	andq	$-64, %rsp			/* XSAVE's alignment, and the call's */
	/* XRSTOR refuses a header with stray bytes, and XSAVE writes only
	 * its first word. */
	xorl	%eax, %eax
	movq	%rax, 512(%rsp)
	movq	%rax, 520(%rsp)
	movq	%rax, 528(%rsp)
	movq	%rax, 536(%rsp)
	movq	%rax, 544(%rsp)
	movq	%rax, 552(%rsp)
	movq	%rax, 560(%rsp)
	movq	%rax, 568(%rsp)
	movl	tlsdesc_xsave_mask(%rip), %eax
	movl	tlsdesc_xsave_mask+4(%rip), %edx
	xsave64	(%rsp)
	call	tls_desc_resolve
	movq	%rax, %rsi			/* XRSTOR takes its mask in %edx:%eax */
	movl	tlsdesc_xsave_mask(%rip), %eax
	movl	tlsdesc_xsave_mask+4(%rip), %edx
	xrstor64 (%rsp)
	movq	%rsi, %rax
	subq	%fs:0, %rax			/* the thread pointer */
	leaq	-64(%rbp), %rsp
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbp
	.cfi_def_cfa %rsp, 8
	ret
	.cfi_endproc
	.size	tlsdesc_resolver, .-tlsdesc_resolver

	.section .note.GNU-stack, "", @progbits
