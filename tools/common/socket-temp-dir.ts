import { tmpdir } from 'node:os';

/**
 * A Unix socket's path holds at most 107 bytes (sun_path on Linux; 103 on macOS). Programs that
 * put a socket in a fresh folder under TMPDIR (HAProxy's admin socket, Chromium's
 * SingletonSocket) fail on a host whose TMPDIR is long: a deep CI workspace, a sandbox's
 * per-job folder. Room left here for the folder and socket names they add.
 */
const ROOM_FOR_NAMES = 48;
const SOCKET_PATH_LIMIT = 103;

/** TMPDIR when a socket under it fits, else /tmp (always present and short on Unix). */
export function socketTempRoot(dir: string = tmpdir()): string {
  return dir.length + ROOM_FOR_NAMES <= SOCKET_PATH_LIMIT ? dir : '/tmp';
}
