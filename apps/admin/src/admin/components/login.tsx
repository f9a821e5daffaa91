import React, { useEffect, useState } from 'react';
import { Box, Button, FormGroup, H5, Input, Label, MessageBox, Text } from '@adminjs/design-system';
import { useTranslation } from 'adminjs';

interface SignInButton {
  clientId: string;
  caption: string;
  icon: string | null;
}

/**
 * The login page: the password form, and one button per enabled User-type
 * OAuth client (Login Button Caption and Icon).
 */
const Login: React.FC = () => {
  const { action, errorMessage } = (window as unknown as { __APP_STATE__: { action: string; errorMessage: string | null } }).__APP_STATE__;
  const { translateMessage } = useTranslation();
  const [buttons, setButtons] = useState<SignInButton[]>([]);
  useEffect(() => {
    fetch('/oauth/sign-in', { credentials: 'same-origin' })
      .then((res) => (res.ok ? res.json() : []))
      .then(setButtons, () => setButtons([]));
  }, []);
  return (
    <Box flex variant="grey" style={{ minHeight: '100vh', alignItems: 'center', justifyContent: 'center' }}>
      <Box bg="white" boxShadow="login" p="x3" width={['100%', '440px']}>
        <H5 mb="xl">OAuth Mail</H5>
        {errorMessage ? <MessageBox my="lg" variant="danger" message={errorMessage.split(' ').length > 1 ? errorMessage : translateMessage(errorMessage)} /> : null}
        <form action={action} method="POST">
          <FormGroup>
            <Label required htmlFor="email">E-mail</Label>
            <Input id="email" name="email" type="email" autoComplete="username" width={1} />
          </FormGroup>
          <FormGroup>
            <Label required htmlFor="password">Password</Label>
            <Input id="password" name="password" type="password" autoComplete="current-password" width={1} />
          </FormGroup>
          <Text mt="xl" textAlign="center">
            <Button variant="contained" type="submit">Log in</Button>
          </Text>
        </form>
        {buttons.length ? (
          <Box mt="xl" pt="lg" style={{ borderTop: '1px solid #EEEEEF' }} data-testid="sso-buttons">
            {buttons.map((b) => (
              <Button key={b.clientId} as="a" href={`/oauth/sign-in/${b.clientId}`} variant="outlined" mt="default" style={{ width: '100%', justifyContent: 'center' }}>
                {b.icon && /^https?:/.test(b.icon) ? <img src={b.icon} alt="" width={18} height={18} style={{ marginRight: 8 }} /> : null}
                {b.caption}
              </Button>
            ))}
          </Box>
        ) : null}
      </Box>
    </Box>
  );
};

export default Login;
