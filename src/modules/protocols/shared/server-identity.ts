/** The name protocol metadata routes (`GET /v2`, TEI's `/info`) report for this server. */
export const SERVER_NAME = 'sift';

/** Kept equal to package.json's version by server-identity.spec.ts (the build cannot import it). */
export const SERVER_VERSION = '0.1.0';
