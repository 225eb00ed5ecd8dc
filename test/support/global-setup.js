import { setup } from './global-tmp.js';

export default setup;
