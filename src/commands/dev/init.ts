import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { DEFAULT_SANDBOX_VARIANT, initSandbox } from '../../core/sandbox/init';
import { SHIPPED_VARIANTS } from '../../core/model/defaults';
import { makePlatform } from '../../platform';

export class DevInitCommand extends BrktCommand {
  static override paths = [['init']];
  static override usage = Command.Usage({
    description: 'Create a sandbox root: a directory brkt treats as a host',
    details: `The sandbox holds etc/os-release (version 1.0.0), an OS disk image, a signed update repository, user data, the instance metadata EC2 would serve (with a sample cluster for the Kubernetes and ECS variants) and a README.txt, so its first boot renders every configuration file. Running it again on a sandbox completes what is missing. Variants: ${SHIPPED_VARIANTS.join(', ')}; the default is ${DEFAULT_SANDBOX_VARIANT}.`,
    examples: [
      ['Create a sandbox and boot it', '$0 dev init ./sandbox && $0 --root ./sandbox boot --serve'],
      ['Create a Kubernetes sandbox', '$0 dev init --variant aws-k8s-1.17 ./k8s'],
    ],
  });
  dir = Option.String({ required: true, name: 'DIR' });
  variant = Option.String('--variant', DEFAULT_SANDBOX_VARIANT, { description: `Variant of the sandbox image: ${SHIPPED_VARIANTS.join(', ')}` });
  json = Option.Boolean('--json', false, { description: 'Print the result as JSON' });

  async run() {
    const platform = makePlatform({ root: this.dir, env: {} });
    const { created } = await initSandbox(platform, { variant: this.variant });
    const root = platform.paths.root;
    if (this.json) return this.outJson({ root, variant: this.variant, created });
    this.out(`${created ? 'Created' : 'Completed'} sandbox ${root} (variant ${this.variant})\n`);
  }
}
