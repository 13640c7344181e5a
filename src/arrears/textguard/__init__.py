"""textguard"""
