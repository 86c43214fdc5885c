import type Dockerode from 'dockerode';

/** Runs a command in a running container as the desktop user; its exit code and output (stdout and stderr together). */
export async function execInContainer(docker: Dockerode, ref: string, cmd: string[], user = '1000:1000'): Promise<{ exitCode: number; output: string }> {
  const exec = await docker.getContainer(ref).exec({ Cmd: cmd, User: user, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const output = await new Promise<string>((resolve, reject) => {
    let s = '';
    stream.on('data', (d: Buffer) => (s += d.toString('latin1')));
    stream.on('end', () => resolve(s.replace(/[\x00-\x08]/g, '').trim())); // docker's 8-byte frame headers
    stream.on('error', reject);
  });
  return { exitCode: (await exec.inspect()).ExitCode ?? -1, output };
}
