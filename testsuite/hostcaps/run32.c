// The 32-bit probe: built with gcc -m32; exits 42 when it ran as 32-bit x86 code.
// SPDX-License-Identifier: MIT
/* hostcaps runs it: a kernel without IA-32 emulation refuses to start it
 * (ENOEXEC), and a mis-built 64-bit copy would exit with another status. */
int main(void)
{
	return sizeof(void *) == 4 && sizeof(long) == 4 ? 42 : 1;
}
