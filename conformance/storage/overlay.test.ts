// The overlay driver against the storage contract, with real overlayfs mounts in a temp root
// (the suite detaches anything left mounted and checks /proc/self/mountinfo at the end).
import { OverlayStorage } from '../../drivers/storage/overlay/index.ts';
import { storageSuite } from './suite.ts';

storageSuite('overlay', () => new OverlayStorage()).run();
