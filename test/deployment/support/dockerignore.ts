/**
 * Decides whether a path is left out of the Docker build context, with the .dockerignore
 * rules of moby/patternmatcher: patterns are anchored at the context root, `*` and `?` stay
 * within one path segment, `**` spans segments, a pattern that matches a folder excludes
 * what is inside it, `!` re-includes, and the last matching pattern wins.
 */
export class DockerIgnore {
  private readonly rules: ReadonlyArray<{ readonly regex: RegExp; readonly exclude: boolean }>;

  constructor(content: string) {
    this.rules = content
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => {
        const exclude = !line.startsWith('!');
        const pattern = (exclude ? line : line.slice(1))
          .trim()
          .replace(/^\/+/, '')
          .replace(/\/+$/, '');
        return { regex: DockerIgnore.toRegex(pattern), exclude };
      });
  }

  isExcluded(path: string): boolean {
    const segments = path
      .replace(/^\.?\/+/, '')
      .replace(/\/+$/, '')
      .split('/');
    const candidates = segments.map((_, index) => segments.slice(0, index + 1).join('/'));
    let excluded = false;
    for (const rule of this.rules) {
      if (candidates.some((candidate) => rule.regex.test(candidate))) excluded = rule.exclude;
    }
    return excluded;
  }

  private static toRegex(pattern: string): RegExp {
    let source = '';
    for (let index = 0; index < pattern.length; index += 1) {
      const char = pattern[index];
      if (char === '*' && pattern[index + 1] === '*') {
        // `**/` matches zero or more folders; a trailing `**` matches anything.
        const slash = pattern[index + 2] === '/';
        source += slash ? '(?:.*/)?' : '.*';
        index += slash ? 2 : 1;
      } else if (char === '*') {
        source += '[^/]*';
      } else if (char === '?') {
        source += '[^/]';
      } else {
        source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      }
    }
    return new RegExp(`^${source}$`);
  }
}
