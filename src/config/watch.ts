/**
 * Watches the config file and the plugin files it names, and calls back (debounced) when any of them may have
 * changed. Editors that save by writing a temp file and renaming it over the original, or by moving the old
 * file aside, replace the file rather than change it (chokidar's `atomic` mode reports that as a change), and
 * Kubernetes ConfigMaps re-point a `..data` symlink beside the file, which is watched as well.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';

export interface ConfigWatcher {
  /** Resolves once the initial scan is done; changes before that could be missed. */
  ready: Promise<void>;
  /** Replaces the watched set (after a reload changed the plugin list). */
  setFiles(files: string[]): void;
  close(): Promise<void>;
}

/**
 * @example const w = watchFiles(['/etc/switchyard/proxy.yaml'], () => gateway.reload('file change'));
 */
export function watchFiles(files: string[], onChange: () => void, debounceMs = 150): ConfigWatcher {
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  // The files themselves, not their directories: chokidar rescans a watched directory on every event in it,
  // so a log or spend file written beside proxy.yaml would cost a stat per entry on every request.
  // `atomic` turns an editor's delete-and-recreate or rename-over into one change.
  const watcher: FSWatcher = chokidar.watch([], { ignoreInitial: true, followSymlinks: true, atomic: true, depth: 0 });
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  watcher.on('all', () => fire());
  let watched: string[] = [];
  const targets = (list: string[]) => {
    // A Kubernetes ConfigMap updates by re-pointing the ..data symlink beside the file: watch that too.
    const configMapLinks = list.map((f) => path.join(path.dirname(f), '..data')).filter((p) => existsSync(p));
    return [...new Set([...list, ...configMapLinks])];
  };
  const setFiles = (next: string[]) => {
    const wanted = targets(next);
    const remove = watched.filter((f) => !wanted.includes(f));
    const add = wanted.filter((f) => !watched.includes(f));
    watched = wanted;
    if (remove.length) watcher.unwatch(remove);
    if (add.length) watcher.add(add);
  };
  setFiles(files);
  return {
    ready,
    setFiles,
    close: async () => {
      if (timer) clearTimeout(timer);
      await watcher.close();
    },
  };
}
