import cf from 'cloudfront';
import crypto from 'crypto';

// The viewer-request CloudFront Function (cloudfront-js-2.0). The build puts the bundled gate (gate.ts,
// which assigns `edgepass`) in place of the marker; the only async function is this global `handler`,
// which reads the session token's HMAC key from the KeyValueStore (a missing key throws: no key).
let edgepass;
/* edgepass:gate */
const gate = edgepass(crypto);
async function handler(event) {
  const name = gate.keyName(event);
  let key;
  try {
    key = name && (await cf.kvs().get(name));
  } catch (_missing) {}
  return gate.decide(event, key);
}
