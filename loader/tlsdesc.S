/*
 * tlsdesc: the functions of the TLS descriptors libsoload fills
 * (R_X86_64_TLSDESC, code built with -mtls-dialect=gnu2). Code calls one
 * with %rax holding the descriptor's address and expects in %rax the
 * variable's address minus the thread pointer, with every other register
 * as it was but the flags (x86-64 psABI). The second word of the
 * descriptor is the function's argument.
 *
 * tlsdesc_static, for a module in static TLS (tls.c): the argument is the
 * answer, once this thread has set up the blocks placed in libsoload's
 * reserve (tls_static_seen equals tls_static_gen); glibc's is the same
 * without that check. tlsdesc_undef, for an undefined weak variable: its
 * address is the argument. tlsdesc_resolver, for a dynamic module: the
 * argument is a tls_index, and once this thread has the module's block its
 * offset from the thread pointer is in the thread's table (tls.c:
 * tls_table and tls_table_len, whose layout tls.c checks), one load away.
 * The fast paths keep their scratch registers in the red zone, as glibc's
 * do.
 *
 * Otherwise (slow_path) the integer registers a C call may change are
 * pushed, and the vector, mask and x87 state is kept with XSAVE
 * (components and size read once by xstate.c from CPUID leaf 0xD) around the
 * call into tls.c, which sets up or allocates the block.
 */

#include "xsavearea.inc"

/* Everything but %rax kept around a call of fn(%rax); the address fn
 * returns, minus the thread pointer, in %rax. */
.macro slow_path fn
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
	movq	%rax, %rdi
	subq	tlsdesc_xsave_size(%rip), %rsp
	andq	$-64, %rsp			/* XSAVE's alignment, and the call's */
	clear_xsave_header
	movl	tlsdesc_xsave_mask(%rip), %eax
	movl	tlsdesc_xsave_mask+4(%rip), %edx
	xsave64	(%rsp)
	call	\fn
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
.endm

	.text
	.globl	tlsdesc_static
	.hidden	tlsdesc_static
	.type	tlsdesc_static, @function
	.p2align 4
tlsdesc_static:
	.cfi_startproc
	movq	%rcx, -8(%rsp)
	movq	tls_static_seen@gottpoff(%rip), %rcx
	movq	%fs:(%rcx), %rcx
	cmpq	tls_static_gen(%rip), %rcx
	movq	-8(%rsp), %rcx
	jne	1f
	movq	8(%rax), %rax
	ret
1:
	movq	8(%rax), %rax			/* for tls_desc_resolve_static */
	slow_path tls_desc_resolve_static
	.cfi_endproc
	.size	tlsdesc_static, .-tlsdesc_static

	.globl	tlsdesc_undef
	.hidden	tlsdesc_undef
	.type	tlsdesc_undef, @function
	.p2align 4
tlsdesc_undef:
	.cfi_startproc
	movq	8(%rax), %rax
	subq	%fs:0, %rax
	ret
	.cfi_endproc
	.size	tlsdesc_undef, .-tlsdesc_undef

	.globl	tlsdesc_resolver
	.hidden	tlsdesc_resolver
	.type	tlsdesc_resolver, @function
	.p2align 4
tlsdesc_resolver:
	.cfi_startproc
	movq	8(%rax), %rax			/* the argument: module id, offset */
	movq	%rcx, -8(%rsp)
	movq	%rdx, -16(%rsp)
	movzwl	(%rax), %edx			/* the module's slot */
	movq	tls_table_len@gottpoff(%rip), %rcx
	cmpq	%fs:(%rcx), %rdx		/* in this thread's table */
	jae	1f
	movq	tls_table@gottpoff(%rip), %rcx
	movq	%fs:(%rcx), %rcx
	shlq	$4, %rdx
	movq	8(%rcx,%rdx), %rcx		/* the block - thread pointer, or 0 */
	testq	%rcx, %rcx
	jz	1f
	movq	8(%rax), %rax			/* + the variable's offset */
	addq	%rcx, %rax
	movq	-8(%rsp), %rcx
	movq	-16(%rsp), %rdx
	ret
1:
	movq	-8(%rsp), %rcx
	movq	-16(%rsp), %rdx
	slow_path tls_desc_resolve
	.cfi_endproc
	.size	tlsdesc_resolver, .-tlsdesc_resolver

	.section .note.GNU-stack, "", @progbits
