// `brkt repo`: build and sign update repositories in the upstream layout.
import { RepoAddMigrationCommand } from './add-migration';
import { RepoAddReleaseCommand } from './add-release';
import { RepoExpireCommand, RepoRefreshTimestampCommand } from './expire';
import { RepoInitCommand } from './init';
import { RepoRotateRootCommand } from './rotate-root';
import { RepoVerifyCommand } from './verify';

export const commands = [RepoInitCommand, RepoAddReleaseCommand, RepoAddMigrationCommand, RepoExpireCommand, RepoRefreshTimestampCommand, RepoRotateRootCommand, RepoVerifyCommand];
