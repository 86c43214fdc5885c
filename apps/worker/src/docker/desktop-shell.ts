import type Dockerode from 'dockerode';

/**
 * Runs a shell line as the desktop user inside a container; what it printed.
 * With a TTY, so the output is plain text (no stream frame headers whose
 * length bytes could pass for characters): for tests that compare it exactly.
 */
export async function desktopShell(docker: Dockerode, ref: string, script: string): Promise<string> {
  const exec = await docker.getContainer(ref).exec({ Cmd: ['bash', '-c', script], User: '1000:1000', AttachStdout: true, AttachStderr: true, Tty: true });
  const stream = await exec.start({ Tty: true });
  return new Promise((resolve) => {
    let out = '';
    stream.on('data', (d: Buffer) => (out += d.toString('utf8')));
    stream.on('end', () => resolve(out.replace(/\r/g, '').trim()));
  });
}
