// The local driver against the volume contract: plain directories, and for the "create with
// options" case a real tmpfs (type/device/o), mounted on first mount and unmounted on the last.
import { LocalVolumeDriver } from '../../drivers/volume/local/local-driver.ts';
import { volumeSuite } from './suite.ts';

volumeSuite('local', () => new LocalVolumeDriver(), { createOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } }).run();
