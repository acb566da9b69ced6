// The Store as the project layer names it. The interfaces are contracts (src/contracts/store/), so
// that the event log, the artifact store and the native host can declare what they need of it, and
// a storage implementation (project/sqlite/ today, PostgreSQL later) can provide it; nothing above
// them reaches for SQL.
export type {
  DependencyFilter,
  DependencySet,
  DependencyTarget,
  FrontierEdges,
  FrontierGraph,
  FrontierTask,
  NewTask,
  Store,
  StoreReader,
  StoreTx,
  TaskContentPatch,
  TaskCreation,
  TaskDigest,
  TaskFilter,
  TransitionRequest,
} from '../contracts/store/index.js';
