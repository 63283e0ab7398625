"""hcctrials.endpoints"""
