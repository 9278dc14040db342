# API tokens are not on the admin site: each is its own person's, made and revoked on their API tokens page.
