/** `info`: the server extension's version and configuration. */
import { requestAPI } from './request';
import type { MaestroInfo } from './types';

/**
 * Get information about the Maestro server extension.
 */
export function getInfo(signal?: AbortSignal): Promise<MaestroInfo> {
  return requestAPI<MaestroInfo>('info', { method: 'GET', signal });
}
