export { runHostContainers as runRole, commands } from './host-containers';
