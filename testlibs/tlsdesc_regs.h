/* tlsdesc_regs.h: tlsdesc_check_regs for a sample library built with
 * -mtls-dialect=gnu2, around the descriptor of the thread-local variable
 * named by CHECK_REGS_VAR (a string), which the includer defines first.
 * The descriptor's function must keep every register but %rax. */
#ifndef CHECK_REGS_VAR
#error "define CHECK_REGS_VAR before including tlsdesc_regs.h"
#endif

/*
 * void *tlsdesc_check_regs(const void *in, void *out, uint64_t *gprs,
 *                          int avx512)
 * Loads ZMM0-31 and K1-K7 (or, without AVX-512, YMM0-15) from in (64 bytes
 * a register, then the mask registers) and the eight integer registers a C
 * call may change from fixed patterns, calls CHECK_REGS_VAR's descriptor,
 * stores them all to out and gprs, and returns the variable's address.
 */
/* clang-format off */
__asm__(".text\n"
        ".globl tlsdesc_check_regs\n"
        ".type tlsdesc_check_regs, @function\n"
        "tlsdesc_check_regs:\n"
        "	pushq %rbx\n	pushq %rbp\n	pushq %r12\n	pushq %r13\n"
        "	pushq %r14\n	pushq %r15\n	subq $8, %rsp\n"
        "	movq %rdi, %r12\n	movq %rsi, %r13\n	movq %rdx, %r14\n"
        "	movl %ecx, %ebp\n"
        "	testl %ebp, %ebp\n	jz 1f\n"
#define Z(n) "	vmovdqu64 " #n "*64(%r12), %zmm" #n "\n"
        Z(0) Z(1) Z(2) Z(3) Z(4) Z(5) Z(6) Z(7) Z(8) Z(9) Z(10) Z(11) Z(12) Z(13) Z(14) Z(15)
        Z(16) Z(17) Z(18) Z(19) Z(20) Z(21) Z(22) Z(23) Z(24) Z(25) Z(26) Z(27) Z(28) Z(29)
        Z(30) Z(31)
#undef Z
#define K(n) "	kmovq 2048+" #n "*8(%r12), %k" #n "\n"
        K(1) K(2) K(3) K(4) K(5) K(6) K(7)
#undef K
        "	jmp 2f\n"
        "1:\n"
#define Y(n) "	vmovdqu " #n "*64(%r12), %ymm" #n "\n"
        Y(0) Y(1) Y(2) Y(3) Y(4) Y(5) Y(6) Y(7) Y(8) Y(9) Y(10) Y(11) Y(12) Y(13) Y(14) Y(15)
#undef Y
        "2:\n"
        "	movabsq $0x1111111111111101, %rcx\n"
        "	movabsq $0x2222222222222202, %rdx\n"
        "	movabsq $0x3333333333333303, %rsi\n"
        "	movabsq $0x4444444444444404, %rdi\n"
        "	movabsq $0x5555555555555505, %r8\n"
        "	movabsq $0x6666666666666606, %r9\n"
        "	movabsq $0x7777777777777707, %r10\n"
        "	movabsq $0x8888888888888808, %r11\n"
        "	leaq " CHECK_REGS_VAR "@TLSDESC(%rip), %rax\n"
        "	call *" CHECK_REGS_VAR "@TLSCALL(%rax)\n"
        "	movq %rcx, 0(%r14)\n	movq %rdx, 8(%r14)\n	movq %rsi, 16(%r14)\n"
        "	movq %rdi, 24(%r14)\n	movq %r8, 32(%r14)\n	movq %r9, 40(%r14)\n"
        "	movq %r10, 48(%r14)\n	movq %r11, 56(%r14)\n"
        "	testl %ebp, %ebp\n	jz 3f\n"
#define Z(n) "	vmovdqu64 %zmm" #n ", " #n "*64(%r13)\n"
        Z(0) Z(1) Z(2) Z(3) Z(4) Z(5) Z(6) Z(7) Z(8) Z(9) Z(10) Z(11) Z(12) Z(13) Z(14) Z(15)
        Z(16) Z(17) Z(18) Z(19) Z(20) Z(21) Z(22) Z(23) Z(24) Z(25) Z(26) Z(27) Z(28) Z(29)
        Z(30) Z(31)
#undef Z
#define K(n) "	kmovq %k" #n ", 2048+" #n "*8(%r13)\n"
        K(1) K(2) K(3) K(4) K(5) K(6) K(7)
#undef K
        "	jmp 4f\n"
        "3:\n"
#define Y(n) "	vmovdqu %ymm" #n ", " #n "*64(%r13)\n"
        Y(0) Y(1) Y(2) Y(3) Y(4) Y(5) Y(6) Y(7) Y(8) Y(9) Y(10) Y(11) Y(12) Y(13) Y(14) Y(15)
#undef Y
        "4:\n"
        "	vzeroupper\n"
        "	addq %fs:0, %rax\n"
        "	addq $8, %rsp\n	popq %r15\n	popq %r14\n	popq %r13\n"
        "	popq %r12\n"
        "	popq %rbp\n	popq %rbx\n	ret\n"
        ".size tlsdesc_check_regs, .-tlsdesc_check_regs\n");
/* clang-format on */
