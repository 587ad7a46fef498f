/** `models/{name}/versions/{version}/card`: model cards. */
import { ServerConnection } from '@jupyterlab/services';

import { modelPath } from './models';
import { apiURL, requestAPI, requestText } from './request';
import type { CardSections, ModelCard, UpdateCard } from './types';

/**
 * A field of the card's sections.
 */
export type CardSectionField = keyof CardSections;

/**
 * A format a model card can be rendered in (the `format` query parameter).
 */
export type CardFormat = 'json' | 'md' | 'html' | 'pdf';

/**
 * Endpoint (relative to the API namespace) of a version's model card.
 */
export function cardPath(name: string, version: string): string {
  return modelPath(name, 'versions', version, 'card');
}

/**
 * Get the model card of a version as JSON.
 */
export function getCard(
  name: string,
  version: string,
  signal?: AbortSignal
): Promise<ModelCard> {
  return requestAPI<ModelCard>(`${cardPath(name, version)}?format=json`, {
    method: 'GET',
    signal
  });
}

/**
 * Get the model card of a version as a self-contained HTML document.
 */
export function getCardHTML(
  name: string,
  version: string,
  signal?: AbortSignal
): Promise<string> {
  return requestText(`${cardPath(name, version)}?format=html`, {
    method: 'GET',
    signal
  });
}

/**
 * Update the sections or the approval of a version's model card; returns
 * the updated card.
 */
export function updateCard(
  name: string,
  version: string,
  update: UpdateCard
): Promise<ModelCard> {
  return requestAPI<ModelCard>(cardPath(name, version), {
    method: 'PUT',
    body: JSON.stringify(update)
  });
}

/**
 * URL downloading a version's model card in a format, as an attachment (a
 * plain link works: the browser sends Jupyter's authentication cookie).
 */
export function cardDownloadURL(
  name: string,
  version: string,
  format: CardFormat,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): string {
  return apiURL(
    `${cardPath(name, version)}?format=${format}&download=1`,
    settings
  );
}
