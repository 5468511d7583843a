export { runHostCtr as runRole, commands } from './host-containers';
