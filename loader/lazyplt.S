/*
 * lazyplt: the resolver a lazily bound library's PLT jumps to (lazy.c puts
 * its address in GOT[2]). The x86-64 psABI's PLT0 pushes GOT[1] (here the
 * library's struct sl_lib) and jumps through GOT[2]; the PLT entry pushed
 * the DT_JMPREL index before. So on entry:
 *
 *	0(%rsp)   the library      8(%rsp)   the relocation index
 *	16(%rsp)  the caller's return address
 *
 * Every register a call may carry arguments in is kept: %rdi, %rsi, %rdx,
 * %rcx, %r8, %r9, %rax (the vector count of a variadic call) and %r10 (the
 * static chain) on the stack, the vector, mask and x87 state with XSAVEC,
 * XSAVE or FXSAVE (lazy.c picks one and sizes the buffer from CPUID leaf
 * 0xD), so a function taking __m256 or __m512 arguments is called with
 * them intact. lazy_fixup binds the slot and returns the target; the
 * registers come back and the original call goes on there, with the
 * stack as the caller left it. %r11, which no call passes anything in,
 * carries the target.
 */

#include "xsavearea.inc"

	.text
	.globl	lazy_trampoline
	.hidden	lazy_trampoline
	.type	lazy_trampoline, @function
	.p2align 4
lazy_trampoline:
	.cfi_startproc
	.cfi_def_cfa_offset 24			/* the two words PLT pushed */
	pushq	%rbx
	.cfi_def_cfa_offset 32
	.cfi_offset %rbx, -32
	movq	%rsp, %rbx
	.cfi_def_cfa_register %rbx
	pushq	%rax
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%r8
	pushq	%r9
	pushq	%r10
	subq	lazy_save_size(%rip), %rsp
	andq	$-64, %rsp			/* XSAVE's alignment, and the call's */
	clear_xsave_header
	movl	lazy_save_mask(%rip), %eax
	movl	lazy_save_mask+4(%rip), %edx
	movl	lazy_save_kind(%rip), %ecx
	cmpl	$2, %ecx
	je	1f
	cmpl	$1, %ecx
	je	2f
	fxsave64 (%rsp)
	jmp	3f
1:	xsavec64 (%rsp)
	jmp	3f
2:	xsave64	(%rsp)
3:
	movq	8(%rbx), %rdi			/* the library */
	movq	16(%rbx), %rsi			/* the relocation index */
	call	lazy_fixup
	movq	%rax, %r11
	movl	lazy_save_mask(%rip), %eax
	movl	lazy_save_mask+4(%rip), %edx
	cmpl	$0, lazy_save_kind(%rip)
	je	4f
	xrstor64 (%rsp)
	jmp	5f
4:	fxrstor64 (%rsp)
5:
	leaq	-64(%rbx), %rsp
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rax
	movq	%rbx, %rsp
	.cfi_def_cfa_register %rsp
	popq	%rbx
	.cfi_restore %rbx
	.cfi_def_cfa_offset 24
	addq	$16, %rsp			/* the library and the index */
	.cfi_def_cfa_offset 8
	jmp	*%r11
	.cfi_endproc
	.size	lazy_trampoline, .-lazy_trampoline

	.section .note.GNU-stack, "", @progbits
