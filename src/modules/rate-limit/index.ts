export { RateLimited } from './rate-limited.decorator';
export { RateLimitModule } from './rate-limit.module';
export { RateLimitStorage } from './rate-limit.storage';
export { RateLimiter } from './rate-limiter.service';
