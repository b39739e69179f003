// Linux system call numbers, for the perl helpers (perl's syscall() takes the number) of
// calls node has no binding for. Only the architectures listed are known; elsewhere the
// helpers say they are unavailable and their callers take the slower path.
export interface SyscallNumbers { mount: number; umount2: number; mknodat: number; setsid: number; pidfdOpen: number; pidfdGetfd: number; openat2: number; close: number }

const BY_ARCH: Record<string, SyscallNumbers> = {
  x64: { mount: 165, umount2: 166, mknodat: 259, setsid: 112, pidfdOpen: 434, pidfdGetfd: 438, openat2: 437, close: 3 },
  // asm-generic numbering
  arm64: { mount: 40, umount2: 39, mknodat: 33, setsid: 157, pidfdOpen: 434, pidfdGetfd: 438, openat2: 437, close: 57 },
};

/** the numbers for this process's architecture (Node's process.arch), if known */
export function syscallNumbers(arch: string = process.arch): SyscallNumbers | undefined {
  return BY_ARCH[arch];
}
