// The none network driver through the network conformance suite.
import { NoneDriver } from '../../drivers/network/none/driver.ts';
import { networkSuite } from './suite.ts';

const test = networkSuite('none', async () => new NoneDriver(), { kind: 'none' });
test.run();
