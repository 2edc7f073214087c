import { ValidationError } from '../errors';

/**
 * One check of a fact's value for `hcxmon fact set` and `PUT /api/targets/{id}/facts`: the only fact today is the date
 * a target was upgraded to HCX 4.11.0, and an upgrade in the future has not happened (the activation-key deadline
 * counted from it would be wrong, and silently later).
 */
export function checkFactValue(value: string, today: string, parameter = 'value'): void {
  if (value > today)
    throw new ValidationError(`${parameter}: the upgrade date cannot be in the future (today is ${today})`, parameter);
}
