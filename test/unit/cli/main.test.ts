import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../cli/io';
import { runCli } from '../../../cli/main';
import { signUrl } from '../../../shared';
import { ecKeyPair, NOW } from '../../fixtures/keys';

function capture(argv: string[], now = NOW): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: {},
    now: () => now,
  };
  const code = runCli(argv, io);
  return { code, stdout, stderr };
}

describe('runCli', () => {
  it('prints help for --help, -h and help <command>', () => {
    expect(capture(['--help'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: edgepass <command>/) });
    expect(capture(['-h']).code).toBe(0);
    expect(capture(['help', 'inspect']).stdout).toMatch(/^Usage: edgepass inspect URL/);
  });

  it('answers an unknown command with one usage line and exit 2', () => {
    expect(capture(['deploy'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'edgepass: unknown command "deploy"; commands: keys, sign-url, sign-cookies, inspect, secret, dev\n',
    });
  });

  it('decides inspect at the injected clock when --at is not given', () => {
    const ec = ecKeyPair();
    const url = signUrl('https://cdn.example.com/a.mp4', {
      keyPairId: 'KEC',
      privateKey: ec.privatePem,
      expires: NOW + 60,
      now: NOW,
    });
    expect(capture(['inspect', url, '--json'], NOW + 59)).toMatchObject({ code: 0, stderr: '' });
    const late = capture(['inspect', url, '--json'], NOW + 60);
    expect(late.code).toBe(1);
    expect(JSON.parse(late.stdout)).toMatchObject({ reason: 'expired', at: NOW + 60, signatureChecked: false });
  });
});
