import { graphql } from '@/gql';

export const SignInMutation = graphql(`
  mutation SignIn($email: String!, $password: String!) {
    signIn(email: $email, password: $password) {
      token
      expiresAt
      user { id email name role }
    }
  }
`);

export const SignOutMutation = graphql(`
  mutation SignOut {
    signOut
  }
`);

export const AuthProvidersQuery = graphql(`
  query AuthProviders {
    authProviders { id name loginUrl }
  }
`);

export const ExchangeSsoCodeMutation = graphql(`
  mutation ExchangeSsoCode($code: String!) {
    exchangeSsoCode(code: $code) {
      token
      expiresAt
      user { id email name role }
    }
  }
`);
