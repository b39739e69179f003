// Exit codes as docker's CLI uses them.
export class ExitError extends Error {
  constructor(readonly code: number, message = '') { super(message); this.name = 'ExitError'; }
}

/** docker run: 125 for daemon errors, 126/127 when the command could not be started */
export function runExitCode(message: string): number {
  if (/executable file not found|no such file or directory|not found in \$PATH/i.test(message)) return 127;
  if (/permission denied|exec format error|is a directory/i.test(message)) return 126;
  return 125;
}
