// `brkt settings schema`: the JSON Schema of the settings model, from the same TypeBox schemas
// the API server validates with.
import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { settingsSchema, KNOWN_VARIANTS } from '../../core/model/settings';
import { readOsRelease } from '../../core/os-release';
import { BrktError } from '../../core/errors';

export class SettingsSchemaCommand extends BrktCommand {
  static override paths = [['schema']];
  static override usage = Command.Usage({
    description: 'Print the JSON Schema of the settings a variant accepts',
    details: `The variant is taken from etc/os-release under the root unless --variant names one (${KNOWN_VARIANTS.join(', ')}).`,
    examples: [['Schema of the ECS variant', '$0 settings schema --variant aws-ecs-1']],
  });
  variant = Option.String('--variant', { description: 'Variant to describe (default: the running one)' });

  async run() {
    let variant = this.variant;
    if (variant === undefined) {
      variant = (await readOsRelease(this.platform))?.variantId;
    } else if (!KNOWN_VARIANTS.includes(variant)) {
      throw new BrktError('invalid-input', `Unknown variant '${variant}': brkt knows ${KNOWN_VARIANTS.join(', ')}`);
    }
    this.outJson({ $schema: 'http://json-schema.org/draft-07/schema#', ...settingsSchema(variant) });
  }
}
