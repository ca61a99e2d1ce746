/**
 * The `scheme://host` that login cookies and signed URLs are issued for: the host the request came
 * in on when it is one of the configured content domains (the distribution forwards it as
 * `X-Forwarded-Host` or `Host`), else the first domain. Never a host the configuration does not name.
 *
 * @example
 * contentOrigin({ scheme: 'https', domains: ['media.example.com', 'cdn.example.net'] }, 'CDN.example.net')
 * // 'https://cdn.example.net'
 */
export function contentOrigin(
  config: { readonly scheme: string; readonly domains: readonly string[] },
  host: string | undefined,
): string {
  const lower = host?.toLowerCase();
  const known = lower !== undefined && config.domains.includes(lower) ? lower : config.domains[0];
  return `${config.scheme}://${known}`;
}
