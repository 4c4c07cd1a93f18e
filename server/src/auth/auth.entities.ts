import { ApiKeyEntity } from './api-key.entity';
import { UserSessionEntity } from './user-session.entity';
import { UserEntity } from './user.entity';

export const authEntities = [UserEntity, UserSessionEntity, ApiKeyEntity];
