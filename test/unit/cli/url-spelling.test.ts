import { describe, expect, it } from 'vitest';
import { checkAuthority, checkBroadResource, checkUrlToSign } from '../../../cli/url-spelling';

describe('checkAuthority', () => {
  it('lets an ASCII host through, with or without a port', () => {
    expect(() => checkAuthority('https://cdn.example.com/a.mp4', 'the URL')).not.toThrow();
    expect(() => checkAuthority('https://cdn.example.com:8443/a.mp4?x=é', 'the URL')).not.toThrow();
  });

  it('asks to remove user info, showing the URL without it', () => {
    expect(() => checkAuthority('https://bob@cdn.example.com:8443/a.mp4', '--resource')).toThrow(
      /^--resource holds user info .*remove it: https:\/\/cdn\.example\.com:8443\/a\.mp4$/,
    );
  });

  it('shows the punycode of each non-ASCII label, keeping the port, wildcards and the rest', () => {
    expect(() => checkAuthority('https://*.münchen.example:8443/v/*', 'RESOURCE')).toThrow(
      /sign https:\/\/\*\.xn--mnchen-3ya\.example:8443\/v\/\* instead$/,
    );
  });
});

describe('checkUrlToSign', () => {
  it('refuses what is not an absolute http(s) URL, quoting a long one as a prefix and its length', () => {
    expect(() => checkUrlToSign('/videos/a.mp4')).toThrow('"/videos/a.mp4" is not an absolute http:// or https:// URL');
    expect(() => checkUrlToSign(`ftp://${'x'.repeat(500)}`)).toThrow(/\(506 characters\) is not an absolute/);
  });

  it('refuses a URL over 8192 bytes without echoing it', () => {
    expect(() => checkUrlToSign(`https://cdn.example.com/${'x'.repeat(9000)}`)).toThrow(
      'the URL is 9024 bytes; CloudFront refuses URLs over 8192',
    );
  });
});

describe('checkBroadResource', () => {
  it('names --allow-broad-resource for a resource of every host, and allows it with that flag', () => {
    expect(() => checkBroadResource('https://*/a.mp4', false, '--resource')).toThrow(/pass --allow-broad-resource/);
    expect(() => checkBroadResource('https://*/a.mp4', true, '--resource')).not.toThrow();
    expect(() => checkBroadResource('https://cdn.example.com/*', false, '--resource')).not.toThrow();
  });
});
