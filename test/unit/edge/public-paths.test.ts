import { describe, expect, it } from 'vitest';
import { createPublicPaths } from '../../../shared/edge/public-paths';

describe('createPublicPaths', () => {
  it('matches exact paths and * runs (slashes included), nothing else', () => {
    const isPublic = createPublicPaths(['/videos/trailer.mp4', '/assets/*', '/*/poster.jpg']);
    expect(['/videos/trailer.mp4', '/assets/app.css', '/assets/a/b/c.js', '/x/y/poster.jpg'].map(isPublic)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(
      ['/videos/trailer.mp4x', '/videos/42.mp4', '/assets', '/Assets/app.css', '/poster.jpg'].map(isPublic),
    ).toEqual([false, false, false, false, false]);
  });

  it('makes nothing public without patterns (deny by default)', () => {
    expect(createPublicPaths([])('/')).toBe(false);
  });

  it('reads ? in a pattern literally, never as a one-character wildcard', () => {
    // The configuration refuses ? in a path pattern; were one to get through, it must not widen it.
    const isPublic = createPublicPaths(['/a?c', '/b/*?x']);
    expect(isPublic('/a?c')).toBe(true);
    expect(isPublic('/abc')).toBe(false);
    expect(isPublic('/b/1?x')).toBe(true);
    expect(isPublic('/b/1yx')).toBe(false);
  });
});
