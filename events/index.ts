// Public API of the events room.
export type * from './types.ts';
export { openEventStore, LevelEventStore, type OpenOptions, type OpenReport } from './store.ts';
export { WrongExpectedVersionError, StoreLockedError, StoreCorruptError, StoreClosedError, InvalidEventError, type LockHolder } from './errors.ts';
export { UpcasterRegistry, defaultUpcasters, registerUpcaster, type Upcaster } from './upcast.ts';
export { SnapshotStore, type Snapshot } from './snapshot.ts';
export { createProjection, projectionVersion, type Projection, type ProjectionSpec } from './projection.ts';
export { replay, type ReplayOptions, type ReplayResult } from './replay.ts';
export { satisfies as expectedVersionSatisfied } from './expected-version.ts';
export type { DroppedEvent } from './tail-check.ts';
export type { WalScan } from './wal-scan.ts';
