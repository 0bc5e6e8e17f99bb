/*
 * dlentry: the functions the preload exports in glibc's place. Each saves
 * its argument registers and asks route_NAME (dlroute.c), with the caller's
 * return address, whether it is libsoload's matter. If it is, the answer is
 * returned; if not, the registers are restored and glibc's function is
 * entered by a jump, so it sees the program's own caller (dlopen searches
 * the caller's RUNPATH, dlsym(RTLD_NEXT) starts after the caller).
 *
 * slot is the offset of glibc's function in struct realdl (realdl.h).
 *
 * Frame after the pushes: 0 the answer, 8..48 rdi rsi rdx rcx r8 r9,
 * 56 the return address (struct dl_args in dlroute.h).
 */
	.text

.macro DL_ENTRY name, slot
	.globl \name
	.type \name, @function
\name:
	.cfi_startproc
	push %r9
	.cfi_adjust_cfa_offset 8
	push %r8
	.cfi_adjust_cfa_offset 8
	push %rcx
	.cfi_adjust_cfa_offset 8
	push %rdx
	.cfi_adjust_cfa_offset 8
	push %rsi
	.cfi_adjust_cfa_offset 8
	push %rdi
	.cfi_adjust_cfa_offset 8
	sub $8, %rsp
	.cfi_adjust_cfa_offset 8
	mov %rsp, %rdi
	mov 56(%rsp), %rsi
	call route_\name
	test %eax, %eax
	jz 1f
	mov (%rsp), %rax
	add $56, %rsp
	.cfi_adjust_cfa_offset -56
	ret
	.cfi_adjust_cfa_offset 56
1:	mov 8(%rsp), %rdi
	mov 16(%rsp), %rsi
	mov 24(%rsp), %rdx
	mov 32(%rsp), %rcx
	mov 40(%rsp), %r8
	mov 48(%rsp), %r9
	add $56, %rsp
	.cfi_adjust_cfa_offset -56
	jmp *real+\slot(%rip)
	.cfi_endproc
	.size \name, . - \name
.endm

DL_ENTRY dlopen, 0
DL_ENTRY dlsym, 8
DL_ENTRY dlvsym, 16
DL_ENTRY dlclose, 24
DL_ENTRY dlerror, 32
DL_ENTRY dladdr, 40
DL_ENTRY dladdr1, 48
DL_ENTRY dlinfo, 56
DL_ENTRY dl_iterate_phdr, 64

	.section .note.GNU-stack,"",@progbits
