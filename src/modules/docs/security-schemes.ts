/** Names of the OpenAPI security schemes for ADMIN_API_KEY; the guard accepts either. */
export const API_KEY_SCHEME = 'apiKey';
export const BEARER_SCHEME = 'bearer';
