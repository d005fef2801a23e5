/**
 * A container image reference that names a fixed version: a digest, or a tag other than
 * `latest` (a bare name means `latest`). Tags like `1` or `7` still move: require a dot or
 * a dash in the tag, i.e. at least major.minor or a variant.
 */
export function isPinnedImage(reference: string): boolean {
  if (/@sha256:[a-f0-9]{64}$/.test(reference)) return true;
  const lastSegment = reference.slice(reference.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  if (colon === -1) return false;
  const tag = lastSegment.slice(colon + 1);
  if (tag === '' || tag === 'latest' || tag.includes('$')) return false;
  return /[.-]/.test(tag);
}
