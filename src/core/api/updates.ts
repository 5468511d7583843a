// The update and host actions of api.md section 8, behind an interface so the update dispatcher
// (upstream thar-be-updates) and reboot can be plugged into the server.
import { ApiError } from './api-error';

export type UpdateAction = 'refresh' | 'prepare' | 'activate' | 'deactivate';

export interface UpdateActions {
  /** `GET /updates/status`: the status document; throw ApiError for 404 (uninitialised) or 423. */
  status(): Promise<unknown>;
  /** `POST /actions/<action>-update`; throw ApiError with the dispatcher's status on refusal. */
  run(action: UpdateAction): Promise<void>;
}

/** `POST /actions/reboot`. */
export type RebootAction = () => Promise<void>;

/** What the server answers while no update dispatcher is plugged in: 501, not a 404 page. */
export const NO_UPDATES: UpdateActions = {
  status: () => Promise.reject(new ApiError(501, 'Update actions are not available: this server has no update dispatcher')),
  run: () => Promise.reject(new ApiError(501, 'Update actions are not available: this server has no update dispatcher')),
};

export const NO_REBOOT: RebootAction = () => Promise.reject(new ApiError(501, 'Reboot is not available: this server has no reboot command'));
