// Docker's translation of an OCI runtime's start failure into the container's exit code
// (moby daemon/start.go translateContainerdStartErr): 127 when the entrypoint is missing,
// 126 when it cannot be executed. The message keeps the runtime's own words.
import { BerthError } from '../../../kernel/contracts/common.ts';
import { runtimeMessage } from './oci-cli.ts';

export class ContainerStartError extends BerthError {
  constructor(message: string, readonly exitCode: number) {
    super(message, exitCode === 126 || exitCode === 127 ? 400 : 500, 'start-failed');
    this.name = 'ContainerStartError';
  }
}

export function startFailure(runtime: string, message: string): ContainerStartError {
  const text = `OCI runtime create failed: ${runtimeMessage(message)}`;
  if (/executable file not found|no such file or directory/i.test(message)) return new ContainerStartError(text, 127);
  if (/permission denied|is a directory/i.test(message)) return new ContainerStartError(text, 126);
  return new ContainerStartError(`${runtime}: ${text}`, 128);
}
