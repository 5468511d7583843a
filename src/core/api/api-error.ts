// An HTTP error answer: a status and the plain-text message of api.md section 3.
import { BrktError, HTTP_STATUS } from '../errors';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** The status and text of any thrown value: ApiError as is, BrktError by its code, else 500. */
export function toApiError(error: unknown, context: string): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof BrktError) return new ApiError(HTTP_STATUS[error.code], error.message);
  return new ApiError(500, `${context}: ${error instanceof Error ? error.message : String(error)}`);
}
