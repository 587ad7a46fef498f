import React, { useCallback, useState } from 'react';

import {
  artifactDownloadURL,
  getArtifactPreview,
  IArtifactFile,
  IArtifactPreview,
  listArtifacts
} from '../api';
import { Section } from '../components/Section';
import { errorMessage } from '../format';
import { useRequest } from '../hooks/useRequest';
import { formatBytes } from '../profile/helpers';

/**
 * The last part of an artifact path (`model/MLmodel` → `MLmodel`).
 */
export function baseName(path: string): string {
  const parts = path.split('/');
  return parts[parts.length - 1] || path;
}

/**
 * The artifacts of a run: a tree of files and folders (folders load their
 * content when expanded), a preview of the chosen file (text, image or
 * table; the size for anything else) and a Download link.
 */
export function Artifacts(props: { runId: string }): JSX.Element {
  const { runId } = props;
  const [selected, setSelected] = useState<string | null>(null);
  const root = useRequest(signal => listArtifacts(runId, '', signal), [runId]);
  const files = root.value?.files ?? [];
  return (
    <section
      className="maestro-run-section maestro-run-artifacts"
      data-section="artifacts"
      aria-label="Artifacts"
    >
      <h3 className="maestro-run-section-title">Artifacts</h3>
      <Section
        label="artifacts"
        loading={root.loading && root.value === null}
        error={root.error}
        empty={root.value !== null && files.length === 0}
        emptyMessage="This run logged no artifacts."
        onRetry={root.reload}
      >
        <div className="maestro-artifacts">
          <ul className="maestro-artifact-tree" aria-label="Artifact files">
            {files.map(file => (
              <ArtifactNode
                key={file.path}
                runId={runId}
                file={file}
                selected={selected}
                onSelect={setSelected}
              />
            ))}
          </ul>
          {selected !== null && (
            <ArtifactPreview runId={runId} path={selected} />
          )}
        </div>
      </Section>
    </section>
  );
}

/**
 * A file (selectable) or a folder (expandable) of the artifact tree.
 */
function ArtifactNode(props: {
  runId: string;
  file: IArtifactFile;
  selected: string | null;
  onSelect: (path: string) => void;
}): JSX.Element {
  const { runId, file, selected, onSelect } = props;
  const [open, setOpen] = useState(false);
  const [children, setChildren] = useState<IArtifactFile[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const toggle = useCallback(() => {
    const next = !open;
    setOpen(next);
    if (next && children === null) {
      listArtifacts(runId, file.path)
        .then(list => {
          setChildren(list.files);
          setError(null);
        })
        .catch(reason => setError(errorMessage(reason)));
    }
  }, [open, children, runId, file.path]);

  const name = baseName(file.path);
  if (file.is_dir) {
    return (
      <li className="maestro-artifact-folder" data-path={file.path}>
        <button
          type="button"
          className="maestro-artifact-name"
          onClick={toggle}
          aria-expanded={open}
          aria-label={`${open ? 'Collapse' : 'Expand'} folder ${name}`}
        >
          {`${open ? '▾' : '▸'} ${name}/`}
        </button>
        {open && (
          <ul className="maestro-artifact-children">
            {error !== null && <li className="maestro-error-text">{error}</li>}
            {children === null && error === null && (
              <li className="maestro-run-none">Loading…</li>
            )}
            {children?.length === 0 && (
              <li className="maestro-run-none">Empty folder</li>
            )}
            {children?.map(child => (
              <ArtifactNode
                key={child.path}
                runId={runId}
                file={child}
                selected={selected}
                onSelect={onSelect}
              />
            ))}
          </ul>
        )}
      </li>
    );
  }
  return (
    <li
      className={`maestro-artifact-file${
        selected === file.path ? ' maestro-selected' : ''
      }`}
      data-path={file.path}
    >
      <button
        type="button"
        className="maestro-artifact-name"
        onClick={() => onSelect(file.path)}
        aria-pressed={selected === file.path}
        aria-label={`Preview ${name}`}
      >
        {name}
      </button>
      <span className="maestro-number maestro-artifact-size">
        {formatBytes(file.file_size)}
      </span>
    </li>
  );
}

/**
 * The preview of one artifact file, with its Download link.
 */
export function ArtifactPreview(props: {
  runId: string;
  path: string;
}): JSX.Element {
  const { runId, path } = props;
  const preview = useRequest(
    signal => getArtifactPreview(runId, path, signal),
    [runId, path]
  );
  const name = baseName(path);
  return (
    <div className="maestro-artifact-preview" data-path={path}>
      <div className="maestro-artifact-preview-header">
        <span className="maestro-code">{path}</span>
        {preview.value && (
          <span className="maestro-number">
            {formatBytes(preview.value.size)}
          </span>
        )}
        <a
          className="maestro-artifact-download"
          href={artifactDownloadURL(runId, path)}
          download={name}
          aria-label={`Download ${name}`}
        >
          Download
        </a>
      </div>
      <Section
        label="preview"
        loading={preview.loading && preview.value === null}
        error={preview.error}
        onRetry={preview.reload}
      >
        {preview.value && <PreviewBody preview={preview.value} />}
      </Section>
    </div>
  );
}

/**
 * The body of a preview by its kind.
 */
function PreviewBody(props: { preview: IArtifactPreview }): JSX.Element {
  const { preview } = props;
  const name = baseName(preview.path);
  const truncated = preview.truncated ? (
    <p className="maestro-run-none">
      Only the beginning is shown: download the file for all of it.
    </p>
  ) : null;
  switch (preview.kind) {
    case 'text':
      return (
        <div data-kind="text">
          <pre className="maestro-artifact-text">{preview.text ?? ''}</pre>
          {truncated}
        </div>
      );
    case 'image':
      return (
        <div data-kind="image">
          <img
            className="maestro-artifact-image"
            src={preview.image ?? ''}
            alt={name}
          />
        </div>
      );
    case 'table': {
      const table = preview.table ?? { columns: [], rows: [] };
      return (
        <div data-kind="table" className="maestro-artifact-table-wrapper">
          <table className="maestro-artifact-table">
            <caption className="maestro-visually-hidden">{`First rows of ${name}`}</caption>
            <thead>
              <tr>
                {table.columns.map(column => (
                  <th key={column} scope="col">
                    {column}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((row, index) => (
                <tr key={index}>
                  {row.map((cell, column) => (
                    <td
                      key={column}
                      className={
                        typeof cell === 'number' ? 'maestro-number' : undefined
                      }
                    >
                      {cell === null ? '' : String(cell)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {truncated}
        </div>
      );
    }
    case 'too_large':
      return (
        <p data-kind="too_large" className="maestro-run-none">
          {`Too large to preview (${formatBytes(preview.size)}): download it.`}
        </p>
      );
    default:
      return (
        <p data-kind="binary" className="maestro-run-none">
          No preview for this kind of file: download it.
        </p>
      );
  }
}
