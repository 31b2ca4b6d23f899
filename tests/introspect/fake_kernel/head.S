/* head.S - assembler symbols of the fake vmlinux (no DWARF, as in head_64.S) */
	.text
	.globl _stext
_stext:
	.fill 64, 1, 0x90
	.data
	.balign 4096
	.globl init_top_pgt
init_top_pgt:
	.fill 512, 8, 0
	.section .note.GNU-stack,"",@progbits
