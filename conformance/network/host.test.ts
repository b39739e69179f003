// The host network driver through the network conformance suite.
import { HostDriver } from '../../drivers/network/host/driver.ts';
import { networkSuite } from './suite.ts';

const test = networkSuite('host', async () => new HostDriver(), { kind: 'host' });
test.run();
