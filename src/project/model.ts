// Projects, tasks, dependencies and transitions as the store holds them (DESIGN §4). The shapes are
// contracts (src/contracts/task.ts); this module names them for the project layer.
export {
  ITUV_PHASES,
  TASK_PHASES,
  TASK_STATUSES,
  type CriterionOverride,
  type Dependency,
  type DependencySource,
  type ItuvPhase,
  type Project,
  type Task,
  type TaskPhase,
  type TaskStatus,
  type Transition,
} from '../contracts/task.js';
