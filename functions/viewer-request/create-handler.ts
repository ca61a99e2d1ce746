import type { EdgeConfig } from '../../shared/edge/edge-config';
import { createGate, rejection } from '../../shared/edge/gate';
import {
  badRequestResponse,
  type CloudFrontRequest,
  type CloudFrontResponse,
  decisionLogLine,
  parseViewerEvent,
  toCloudFrontResult,
} from '../../shared/edge/viewer-request-event';

export type ViewerRequestHandler = (event: unknown) => Promise<CloudFrontRequest | CloudFrontResponse>;

/** The viewer-request handler for a configuration: event → plain request → gate → CloudFront result. */
export function createHandler(config: EdgeConfig, clock: () => number = Date.now): ViewerRequestHandler {
  const gate = createGate(config);
  return async (event) => {
    const parsed = parseViewerEvent(event);
    if (parsed === undefined) {
      console.log(decisionLogLine(rejection('event')));
      return badRequestResponse();
    }
    const decision = gate(parsed.viewer, Math.floor(clock() / 1000));
    console.log(decisionLogLine(decision, parsed.requestId, parsed.viewer.uri));
    return toCloudFrontResult(decision, parsed.cfRequest);
  };
}
