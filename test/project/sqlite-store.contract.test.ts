// The Store contract run against the SQLite store, each test on a fresh database file.
import { join } from 'node:path';
import { openSqliteStore } from '../../src/project/sqlite/store.js';
import { tempDir } from './helpers.js';
import { describeStoreContract } from './store.contract.js';

describeStoreContract('sqlite', async () => {
  const dir = tempDir('penguin-store-');
  const file = join(dir.dir, '.penguin', 'penguin.db');
  const store = openSqliteStore(file);
  return {
    store,
    openAnother: async () => openSqliteStore(file),
    writerArgs: ['sqlite', file],
    cleanup: async () => {
      await store.close();
      dir.cleanup();
    },
  };
});
