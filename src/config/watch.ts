/**
 * Watches the config file and the plugin files it names, and calls back (debounced) when any of them may have
 * changed. It watches the parent directories rather than the files, because editors save by writing a temp
 * file and renaming it, and Kubernetes ConfigMaps swap a `..data` symlink: both replace the file we would
 * otherwise be watching. The caller compares content hashes, so spurious events cost one file read.
 */
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
  let watched = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const fire = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  const watcher: FSWatcher = chokidar.watch([], { ignoreInitial: true, depth: 0, followSymlinks: true });
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  watcher.on('all', (_event, changed) => {
    const name = path.basename(changed);
    // Only react to files we care about, or to ConfigMap-style ..data / ..timestamp swaps.
    if ([...watched].some((f) => path.basename(f) === name) || name.startsWith('..')) fire();
  });
  const setFiles = (next: string[]) => {
    const dirs = new Set(next.map((f) => path.dirname(f)));
    const old = new Set([...watched].map((f) => path.dirname(f)));
    const add = [...dirs].filter((d) => !old.has(d));
    const remove = [...old].filter((d) => !dirs.has(d));
    if (remove.length) watcher.unwatch(remove);
    if (add.length) watcher.add(add);
    watched = new Set(next);
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
