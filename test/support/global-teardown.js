import { teardown } from './global-tmp.js';

export default teardown;
