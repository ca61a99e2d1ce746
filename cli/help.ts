/** Usage texts printed by `--help`; kept short enough to read without scrolling. */

const WHEN =
  'WHEN is ISO 8601 (2026-12-01T00:00:00Z), epoch seconds (1796083200), or +90s, +30m, +12h, +7d\n' +
  '(-90s … -7d for the past, written with = as in --at=-1h).';

const SIGN_OPTIONS = `  --key-pair-id ID        CloudFront public key id, e.g. K2JCJMDEHXQW5F (required)
  --private-key FILE      PEM private key, RSA-2048 or ECDSA P-256 (required)
  --passphrase TEXT       passphrase of an encrypted key (or set EDGEPASS_KEY_PASSPHRASE)
  --expires WHEN          stops working at WHEN (default +1h)
  --not-before WHEN       not valid until after WHEN (custom policy)
  --ip CIDR               viewer IPv4 address or range, e.g. 203.0.113.0/24 (custom policy)
  --hash sha1|sha256      signature hash (default sha1; sha256 adds Hash-Algorithm=SHA256)
  --allow-broad-resource  permit a resource that grants every host (refused by default)`;

/** Help texts by command name. */
export const HELP = {
  main: `Usage: edgepass <command> [options]

CloudFront signed URLs and cookies: make keys, sign, and explain why a request gets a 403.

Commands:
  keys generate   write a key pair to upload to CloudFront as a public key
  keys rotate     write the next key pair (and session key), print the rotation steps, then store it
  sign-url        sign a URL and print it
  sign-cookies    sign CloudFront cookies for a resource and print Set-Cookie lines
  inspect         decode a signed URL or cookies and say whether CloudFront would serve it
  secret put      store the signing key in AWS Secrets Manager for the login and sign functions
  dev             run the whole system on localhost (in the repository; npm start does the same)

Options:
  -h, --help      show help (also after a command: edgepass inspect --help)
  --version       print the version

${WHEN}
Exit codes: 0 success (inspect: allowed), 1 denied (inspect) or AWS failed (secret put), 2 usage or input error.`,

  keys: `Usage: edgepass keys generate [--type rsa|ecdsa] --out DIR [--force]
       edgepass keys rotate --out DIR [--type rsa|ecdsa] [--session] [--force]
       edgepass keys rotate --out DIR --key-pair-id ID --secret-id ID [--create] [--region R] [--endpoint URL] [--timeout S]

generate writes DIR/private.pem (PKCS#8, mode 0600) and DIR/public.pem (SPKI).
rotate writes the same (and with --session DIR/session-key.json, the CloudFront Functions gate's HMAC
key) and prints the zero-downtime rotation steps; once CloudFront has given the new public key its id,
rotate --key-pair-id --secret-id stores DIR's keys as the signing secret's new version (as secret put).

  --type rsa|ecdsa   RSA-2048 (default) or ECDSA P-256
  --out DIR          directory to write to (created if missing)
  --session          also write a new session-token HMAC key (rotate)
  --force            replace existing key files, once the new pair is completely written`,

  'sign-url': `Usage: edgepass sign-url URL --key-pair-id ID --private-key FILE [options]

Prints the signed URL. Canned policy unless --resource, --not-before or --ip ask for a custom one.

${SIGN_OPTIONS}
  --resource PATTERN      custom-policy resource with * and ?, e.g. https://cdn.example.com/videos/*

${WHEN}
Example: edgepass sign-url 'https://cdn.example.com/a.mp4' --key-pair-id K2JCJMDEHXQW5F --private-key private.pem --expires +2h`,

  'sign-cookies': `Usage: edgepass sign-cookies RESOURCE --key-pair-id ID --private-key FILE [options]

Prints one Set-Cookie line per CloudFront cookie. RESOURCE is a URL or a pattern such as
https://cdn.example.com/videos/* (a plain URL gives canned cookies valid for that URL only).
Any output format can be given as it is to edgepass inspect URL --cookie "$(edgepass sign-cookies …)".

${SIGN_OPTIONS}
  --domain DOMAIN         cookie Domain attribute (default: none, the host that sets them)
  --path PATH             cookie Path attribute (default /)
  --format FORMAT         set-cookie (default), cookie-header (one Cookie header value: name=value; …) or json
  --json                  print {"cookie name": "value", …} instead (same as --format json)
  --force                 print cookies over the 4096 bytes browsers keep (refused by default)

${WHEN}`,

  inspect: `Usage: edgepass inspect URL [--cookie HEADER]… [--public-key ID=FILE]… [options]

Decodes a signed URL (or the CloudFront cookies sent with URL) and says whether CloudFront would
serve it; when not, why and the likely fix. Without --public-key the signature is NOT checked.

  --cookie HEADER         Cookie header sent with the request, e.g. 'CloudFront-Policy=…; CloudFront-…';
                          also a 'Cookie:' line, Set-Cookie lines or JSON, as sign-cookies prints them
  --public-key ID=FILE    trusted public key (PEM) and its CloudFront id; repeat for a key group
  --client-ip IP          viewer IP address to check an IpAddress condition against
  --at WHEN               check as of WHEN instead of now
  --json                  print the decision as JSON

${WHEN}
Exit codes: 0 allowed, 1 denied, 2 usage or input error.`,

  dev: `Usage: edgepass dev

Runs the local stack from the edgepass repository: the CloudFront emulator on http://localhost:PORT
(the built edge gate, login and sign handlers), the dev identity provider, the local Secrets Manager
and the demo site; a frontend origin on PORT+1. Ctrl-C stops everything.

Environment:
  PORT                       the distribution's port (default 3000)
  SECRETS_MANAGER_PORT       the local Secrets Manager's port (default 4566)
  EDGEPASS_KEY_GROUP_CHECK   off (default), before or after: also run CloudFront's own key-group check`,

  secret: `Usage: edgepass secret put --secret-id ID --key-pair-id ID --private-key FILE [options]

Stores the key the login and sign functions sign with as a new version of a Secrets Manager secret:
{"keyPairId":"…","privateKey":"-----BEGIN PRIVATE KEY-----…"}. The functions pick it up within 5 minutes.
The key must be unencrypted RSA-2048 or ECDSA P-256 (the functions have no passphrase; Secrets Manager
encrypts it at rest). The key is never printed.

  --secret-id ID          secret name or ARN, e.g. edgepass/signing-key (required)
  --key-pair-id ID        CloudFront public key id of the matching public key (required)
  --private-key FILE      PEM private key (required)
  --session-key FILE      the CloudFront Functions gate's session key ({"keyId","key"}, keys rotate --session)
  --create                create the secret if it does not exist (a name, not an ARN)
  --region REGION         AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1)
  --endpoint URL          Secrets Manager endpoint (default: AWS_ENDPOINT_URL_SECRETS_MANAGER, else AWS)
  --timeout SECONDS       give up after SECONDS, every retry and answer included (default 20)

Credentials come from the usual AWS places: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO.
Example: edgepass secret put --secret-id edgepass/signing-key --key-pair-id K2JCJMDEHXQW5F --private-key keys/private.pem --create
Exit codes: 0 stored, 1 AWS refused or could not be reached, 2 usage or input error.`,
} as const;
