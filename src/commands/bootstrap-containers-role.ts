export { runBootstrapContainers as runRole, commands } from './host-containers';
